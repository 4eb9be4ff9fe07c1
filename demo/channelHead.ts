// What every TelegramChannel the acts apply starts with: the kind, and its name in the demo's namespace.
import { API_VERSION, KIND } from '../src/api/contract.js';
import { NS } from './settings.js';

export const channelHead = (name: string) => `apiVersion: ${API_VERSION}
kind: ${KIND}
metadata: {name: ${name}, namespace: ${NS}}`;
