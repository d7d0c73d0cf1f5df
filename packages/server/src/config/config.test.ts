import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses defaults when nothing is given', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8090, logLevel: 'info', bodyLimit: 1048576 });
    expect(config.dataDir).toBe(path.resolve('causeway_data'));
    expect(config.db).toEqual({ kind: 'sqlite', file: path.join(path.resolve('causeway_data'), 'data.db'), synchronous: 'full' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets flags win over environment variables', () => {
    const config = loadConfig({ port: '9000' }, { CAUSEWAY_PORT: '9100', CAUSEWAY_HOST: '0.0.0.0' });
    expect(config.port).toBe(9000);
    expect(config.host).toBe('0.0.0.0');
  });

  it('reports every problem at once, naming flag and variable', () => {
    try {
      loadConfig({ port: 'eighty' }, { CAUSEWAY_LOG_LEVEL: 'loud', CAUSEWAY_BODY_LIMIT: '-1' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('--port / CAUSEWAY_PORT');
      expect(problems).toContain('CAUSEWAY_LOG_LEVEL');
      expect(problems).toContain('CAUSEWAY_BODY_LIMIT');
    }
  });
});
