import { spawn } from 'node:child_process';

/**
 * Opens `url` in the person's browser when there is one to open: never under CI, never on a Linux
 * without a display (a server, a container, a test), never when asked not to. Says whether it tried.
 */
export function openBrowser(url: string, env: NodeJS.ProcessEnv): boolean {
  if (env.CI || env.STRATA_NO_BROWSER) return false;
  const opener =
    process.platform === 'darwin'
      ? { file: 'open', args: [url] }
      : process.platform === 'win32'
        ? { file: 'cmd', args: ['/c', 'start', '""', url] }
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? { file: 'xdg-open', args: [url] }
          : undefined;
  if (!opener) return false;
  try {
    const child = spawn(opener.file, opener.args, { detached: true, stdio: 'ignore' });
    // No opener installed is not a failure: the URL is printed either way.
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
