/** The process surroundings the CLI runs in; passed in rather than read globally, so one run is self-contained. */
export interface WritableLike {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: WritableLike;
  stderr: WritableLike;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}
