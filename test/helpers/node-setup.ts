// Cloud functions run in UTC; tests do too, so China-time conversions are exercised for real.
process.env.TZ = 'UTC';
