/**
 * Every WeChat API the functions call has a stand-in here, one file per API family. Importing this
 * module registers them all (localcloud/app.ts does).
 */
import './wxacode';
import './subscribe-message';
import './updatable-message';
import './cloudpay';
