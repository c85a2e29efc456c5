/** `npm run bench`: every benchmark section, each printing `name: value` lines. */
import { run as localCloud } from './local-cloud.bench';
import { run as orderOps } from './order-ops.bench'; // dispatch (issue 4)
import { run as assign } from './assign.bench'; // gridworker assignment (issue 7)
import { run as dispatch } from './dispatch.bench'; // dispatch algorithm (issue 4)
import { run as preview } from './preview.bench'; // the browser preview (issue 15)
import { run as dashboards } from './dashboards.bench'; // dashboards aggregated in the database (issue 20)
import { run as bundles } from './bundles.bench'; // deployable bundles: size and cold start (issue 14)

const SECTIONS: Array<[string, () => Promise<void>]> = [
  ['local cloud', localCloud],
  ['order ops', orderOps],
  ['assign', assign],
  ['dispatch', dispatch],
  ['preview', preview],
  ['dashboards', dashboards],
  ['bundles', bundles],
];

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
