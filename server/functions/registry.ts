import type { FunctionName } from '../../typings/api';
import type { CloudMain } from '../lib/define-function';
import { main as system } from './system';
import { main as user } from './user';

/** Every cloud function by name: the local cloud serves these, the build bundles each. */
export const FUNCTIONS: Record<FunctionName, CloudMain> = { system, user };
