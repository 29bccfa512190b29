/** Migration trees the tests share: plain SQL that PostgreSQL and SQLite both accept. */
export const USERS_MIGRATIONS: Record<string, string> = {
  'migrations/0001_create_users.up.sql': 'CREATE TABLE users (\n  id BIGINT PRIMARY KEY,\n  email TEXT NOT NULL\n);\n',
  'migrations/0001_create_users.down.sql': 'DROP TABLE users;\n',
  'migrations/0002_add_user_name.up.sql': "ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT '';\n",
  'migrations/0002_add_user_name.down.sql': 'ALTER TABLE users DROP COLUMN name;\n',
};
