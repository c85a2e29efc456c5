/** `npm run bench`: every benchmark section, each printing `name: value` lines. */
import { run as localCloud } from './local-cloud.bench';

const SECTIONS: Array<[string, () => Promise<void>]> = [['local cloud', localCloud]];

async function main(): Promise<void> {
  const only = process.argv[2];
  for (const [name, run] of SECTIONS) {
    if (only && !name.includes(only)) continue;
    console.log(`# ${name}`);
    await run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
