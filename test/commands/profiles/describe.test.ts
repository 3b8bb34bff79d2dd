import { describe, expect, it } from 'vitest';

/** The secret keys the providers declare (providers/registry.ts configSpec); fixed here so the test reads alone. */
const SECRETS = ['api_key', 'api_secret', 'password'];
import { renderProfilesText, viewProfiles } from '../../../src/commands/profiles/describe.js';

describe('profiles, as text', () => {
  it('marks the active profile, says why, and shows secrets only masked', () => {
    const view = viewProfiles(
      {
        file: '/p/.mbuzzrc.yaml',
        source: 'project',
        config: { profile: 'a', profiles: { a: { api_key: 'sk_live_fedcba9876543210fedcba9876543210', format: 'csv' }, b: { base_url: 'https://u:pw@h.invalid', api_key_env: 'K' } } },
        warnings: [],
        searched: ['/p/.mbuzzrc.yaml'],
      },
      { MBUZZ_PROFILE: 'b' },
      SECRETS,
    );
    expect(renderProfilesText(view)).toBe(
      [
        'config: /p/.mbuzzrc.yaml (found in the project directory)',
        '  a  provider=mbuzz',
        '      api_key: inline sk_live_…3210',
        '      format=csv',
        '* b (active via MBUZZ_PROFILE)  provider=mbuzz base_url=https://u:****@h.invalid',
        '      api_key: from $K (not set)',
        '',
      ].join('\n'),
    );
  });

  it('says when the active profile is not defined', () => {
    const view = viewProfiles({ file: '/f', source: 'user', config: { profiles: {} }, warnings: [], searched: [] }, { MBUZZ_PROFILE: 'ghost' }, SECRETS);
    expect(view.active).toEqual({ name: 'ghost', source: 'MBUZZ_PROFILE', defined: false });
    expect(renderProfilesText(view)).toBe('config: /f (found in the user config directory)\nno profiles defined\nactive profile "ghost" is not defined\n');
  });
});
