/**
 * Passwords at the top of public breach-frequency lists (8 characters or more; shorter ones fail the
 * length check anyway), compared lower-cased. A short list by design: it stops the guesses tried first.
 */
export const commonPasswords: ReadonlySet<string> = new Set([
  '00000000', '0987654321', '11111111', '1111111111', '11223344', '123123123',
  '12341234', '12344321', '123456123', '12345678', '123456789', '1234567890',
  '123456789a', '1234567a', '12345qwert', '1234abcd', '1234qwer', '123654789',
  '123qweasd', '12qwaszx', '147258369', '1q2w3e4r', '1q2w3e4r5t', '1q2w3e4r5t6y',
  '1qaz2wsx', '1qazxsw2', '87654321', '88888888', '987654321', 'a1234567',
  'aa123456', 'abc12345', 'abcd1234', 'abcdefg1', 'abcdefgh', 'admin123',
  'administrator', 'asd123456', 'asdfasdf', 'asdfghjk', 'asdfghjkl', 'ashley12',
  'autumn2024', 'autumn2025', 'autumn2026', 'babygirl1', 'baseball', 'baseball1',
  'batman12', 'butterfly', 'changeme', 'changeme123', 'charlie1', 'chocolate',
  'computer', 'computer1', 'contraseña', 'default1', 'dragon12', 'facebook1',
  'football', 'football1', 'football12', 'fortnite1', 'freedom1', 'google123',
  'guest123', 'hello123', 'hellohello', 'iloveyou', 'iloveyou1', 'iloveyou2',
  'internet', 'jennifer', 'jessica1', 'jordan23', 'letmein!', 'letmein1',
  'letmein123', 'linkedin', 'liverpool', 'loveyou1', 'master12', 'michael1',
  'michelle', 'minecraft', 'monkey12', 'motdepasse', 'mustang1', 'nopassword',
  'p@ssw0rd', 'p@ssword', 'passw0rd', 'password', 'password!', 'password1',
  'password12', 'password123', 'passwort', 'pokemon1', 'princess', 'q1w2e3r4',
  'q1w2e3r4t5', 'qazwsxedc', 'qweasdzxc', 'qwer1234', 'qwert12345', 'qwerty12',
  'qwerty123', 'qwertyui', 'qwertyuiop', 'samsung1', 'secret12', 'secret123',
  'senha123', 'shadow12', 'soccer12', 'spring2024', 'spring2025', 'spring2026',
  'starwars', 'starwars1', 'summer2024', 'summer2025', 'summer2026', 'sunshine',
  'superman', 'superman1', 'test1234', 'testtest', 'trustno1', 'unknown1',
  'welcome!', 'welcome1', 'welcome123', 'whatever', 'whatever1', 'winter2024',
  'winter2025', 'winter2026', 'zaq12wsx', 'zxcvbnm1', 'zxcvbnma', 'zxcvbnmm',
]);
