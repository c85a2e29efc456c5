/**
 * `npm run setup:cloudbase`: prepares a real CloudBase environment for GridLink — creates every
 * collection the app uses, makes each admin-only (only cloud functions read or write them), and
 * creates the indexes declared in server/lib/schema.ts. Safe to run again.
 *
 * Needs TCB_ENV_ID, TCB_SECRET_ID, TCB_SECRET_KEY (a Tencent Cloud API key with TCB rights).
 */
import CloudBase from '@cloudbase/manager-node';
import { COLLECTIONS, INDEXES } from '../server/lib/schema';

async function run(): Promise<void> {
  const envId = process.env.TCB_ENV_ID;
  const secretId = process.env.TCB_SECRET_ID;
  const secretKey = process.env.TCB_SECRET_KEY;
  if (!envId || !secretId || !secretKey) {
    console.error(
      '需要环境变量 TCB_ENV_ID、TCB_SECRET_ID、TCB_SECRET_KEY / set TCB_ENV_ID, TCB_SECRET_ID, TCB_SECRET_KEY',
    );
    process.exit(2);
  }
  const manager = new CloudBase({ envId, secretId, secretKey });
  const tcb = manager.commonService('tcb');

  for (const name of COLLECTIONS) {
    const created = await manager.database.createCollectionIfNotExists(name);
    // Admin-only: the mini-program never touches the database directly.
    await tcb.call({ Action: 'ModifyDatabaseACL', Param: { EnvId: envId, CollectionName: name, AclTag: 'ADMINONLY' } });
    console.log(`collection ${name}: ${created.IsCreated ? 'created' : 'exists'}, ADMINONLY`);
  }

  for (const index of INDEXES) {
    const exists = await manager.database.checkIndexExists(index.collection, index.name);
    if (exists.Exists) {
      console.log(`index ${index.collection}.${index.name}: exists`);
      continue;
    }
    await manager.database.updateCollection(index.collection, {
      CreateIndexes: [
        {
          IndexName: index.name,
          MgoKeySchema: {
            MgoIsUnique: Boolean(index.unique),
            MgoIndexKeys: Object.entries(index.keys).map(([Name, dir]) => ({ Name, Direction: String(dir) })),
          },
        },
      ],
    });
    console.log(`index ${index.collection}.${index.name}: created${index.unique ? ' (unique)' : ''}`);
  }
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
