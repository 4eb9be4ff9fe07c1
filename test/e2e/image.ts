// The operator's image as `make image` builds it for the e2e; deploy/overlays/e2e names the same.
// (Its own module, without imports: jest's global setup loads it as plain TypeScript.)
export const IMAGE = 'localhost/telegram-channel-operator:e2e';
