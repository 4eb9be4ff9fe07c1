import { loadConfig } from './config.js';

const config = loadConfig(process.env);
console.log(JSON.stringify({ level: 'info', msg: 'telegram-channel-operator configured', httpPort: config.httpPort }));
