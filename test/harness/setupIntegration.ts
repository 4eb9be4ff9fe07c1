// Integration tests wait on a real apiserver and a real operator process: give them room.
import { jest } from '@jest/globals';

jest.setTimeout(120_000);
