/**
 * Process entry of the `semroute` bin: runs the CLI and exits with its code (serve keeps running).
 * @module
 */
import { main } from './main.js';

const code = await main();
if (code !== undefined) {
  // Flush stdout (a pipe may be asynchronous) before exiting; classifier threads must not keep the process alive.
  process.stdout.write('', () => process.exit(code));
}
