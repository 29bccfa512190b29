import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, writeTree } from '../../../../../test-support/databases.js';

/** A throwaway working directory, as a person's project would be. */
export interface Project {
  dir: string;
  write(files: Record<string, string | Buffer>): Promise<void>;
  read(path: string): Promise<string>;
  /** File names in a directory of the project, sorted. */
  list(path?: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

export async function createProject(files: Record<string, string | Buffer> = {}): Promise<Project> {
  const dir = await tempDir('cli');
  await writeTree(dir.path, files);
  return {
    dir: dir.path,
    write: (more) => writeTree(dir.path, more),
    read: (path) => readFile(join(dir.path, path), 'utf8'),
    list: async (path = 'migrations') => (await readdir(join(dir.path, path))).sort(),
    cleanup: dir.cleanup,
  };
}

/** Replaces a file's content (the "edit" step of the add → edit → run cycle). */
export async function edit(project: Project, path: string, content: string): Promise<void> {
  await writeFile(join(project.dir, path), content);
}

/** Two reversible migrations creating `users` and `posts`: the common starting point. */
export const USERS_AND_POSTS = {
  'migrations/0001_create_users.up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
  'migrations/0001_create_users.down.sql': 'DROP TABLE users;\n',
  'migrations/0002_create_posts.up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL);\n',
  'migrations/0002_create_posts.down.sql': 'DROP TABLE posts;\n',
};
