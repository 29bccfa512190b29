/**
 * The bench's child process. `once`: the minimal script a library user would write (import the
 * tool, connect, migrate, close), reporting its phases and peak RSS. `serve`: the same steps
 * driven over IPC so that many processes can be started first and then released at one moment.
 */
import { loadTool } from './tools/index.mjs';

const [mode, arg] = process.argv.slice(2);

if (mode === 'once') {
  const job = JSON.parse(arg);
  const t0 = performance.now();
  try {
    const tool = await loadTool(job.tool);
    const t1 = performance.now();
    const ctx = await tool.open(job);
    const t2 = performance.now();
    const result = await tool.migrate(ctx, job);
    const t3 = performance.now();
    await tool.close(ctx);
    const report = {
      ok: true,
      applied: result.applied,
      importMs: t1 - t0,
      openMs: t2 - t1,
      migrateMs: t3 - t2,
      sinceStartMs: performance.now(),
      maxRssKb: process.resourceUsage().maxRSS,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: String(error?.message ?? error) })}\n`);
    process.exitCode = 1;
  }
} else if (mode === 'serve') {
  const tool = await loadTool(arg);
  let ctx;
  let job;
  process.on('message', async (message) => {
    try {
      if (message.type === 'open') {
        job = message.job;
        ctx = await tool.open(job);
        process.send({ type: 'ready' });
      } else if (message.type === 'go') {
        const started = performance.now();
        try {
          const result = await tool.migrate(ctx, job);
          process.send({ type: 'done', ok: true, ...result, ms: performance.now() - started });
        } catch (error) {
          process.send({ type: 'done', ok: false, error: String(error?.message ?? error), ms: performance.now() - started });
        }
      } else if (message.type === 'close') {
        await tool.close(ctx).catch(() => {});
        ctx = undefined;
        process.send({ type: 'closed' });
      } else if (message.type === 'exit') {
        process.disconnect();
      }
    } catch (error) {
      process.send({ type: message.type === 'open' ? 'ready' : 'closed', ok: false, error: String(error?.message ?? error) });
    }
  });
  process.send({ type: 'loaded' });
} else {
  process.stderr.write('usage: worker.mjs once <job-json> | serve <tool>\n');
  process.exitCode = 2;
}
