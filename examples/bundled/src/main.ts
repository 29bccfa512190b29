// The entry the build bundles: migrations come from the module `strata embed` generated.
import migrations from './migrations.gen.js';
import { start } from './server.js';

start(migrations).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
