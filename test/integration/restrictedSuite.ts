/** Title marker of the suites that run only in a restricted (untrusted) workspace. */
export const RESTRICTED_SUITE = 'in a restricted workspace';
