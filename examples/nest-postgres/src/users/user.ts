export interface User {
  id: string;
  email: string;
  name: string;
  role: string;
}

export interface NewUser {
  email: string;
  name: string;
  role?: string;
}
