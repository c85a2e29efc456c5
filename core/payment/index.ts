/** WeChat Pay's pure rules (issue 19): amounts, the pay state machine, platform numbers, views. */
export * from './amount';
export * from './ids';
export * from './state';
export * from './view';
