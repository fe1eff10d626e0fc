// `trailwarden` as its own process, from the source tree (bin/trailwarden.js would run dist/,
// which may be older than the source under test). Used by the engine examples' tests, whose
// shell steps call `trailwarden` by name as the examples' images and runners do.
import { runCli } from '../../src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
