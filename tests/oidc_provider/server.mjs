// A real OpenID Connect provider for the login tests, standing in for ACM/IDM (Vlaams toegangsbeheer).
//
// panva's oidc-provider (a certified OpenID provider) with the claims ACM/IDM gives (domain.md §4):
// rrn, given_name, family_name, vo_email, vo_doelgroepcode / vo_doelgroepnaam and, for a login in the
// capacity of an enterprise (doelgroep "EA"), vo_orgcode (the KBO number) and vo_orgnaam.
//
// Usage: node server.mjs <config.json>. The JSON holds {port, clients: [...]}: each client as
// oidc-provider takes it (client_id, client_secret or jwks, redirect_uris, post_logout_redirect_uris,
// token_endpoint_auth_method). It listens on 127.0.0.1 only, prints "ready <issuer>" once it listens and
// writes its public signing keys to the address in the discovery document as usual.
//
// The login page lists the test users below; choosing one logs in as that user. Consent is implied
// (first-party clients), as with ACM/IDM.
import { readFileSync } from 'node:fs';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;

// National numbers are valid (python-stdnum checks them) and fictitious.
export const USERS = {
  burger: {
    label: 'Burger (rijksregisternummer)',
    claims: {
      rrn: '90010100123', given_name: 'Jan', family_name: 'Janssens', vo_email: 'jan.janssens@example.org',
      vo_doelgroepcode: 'BUR', vo_doelgroepnaam: 'Burgers', vo_id: 'b7c1c0de-0000-4000-8000-000000000001',
    },
  },
  vertegenwoordiger: {
    label: 'Vertegenwoordiger van een onderneming (EA)',
    claims: {
      rrn: '17073003384', given_name: 'Els', family_name: 'Claes', vo_email: 'els.claes@example.org',
      vo_doelgroepcode: 'EA', vo_doelgroepnaam: 'Economische actoren',
      vo_orgcode: '0403019261', vo_orgnaam: 'Bakkerij Claes BV', vo_id: 'b7c1c0de-0000-4000-8000-000000000002',
    },
  },
  'zonder-rrn': {
    label: 'Gebruiker zonder rijksregisternummer',
    claims: {
      given_name: 'Pierre', family_name: 'Dupont', vo_email: 'pierre.dupont@example.org',
      vo_doelgroepcode: 'BUR', vo_doelgroepnaam: 'Burgers', vo_id: 'b7c1c0de-0000-4000-8000-000000000003',
    },
  },
};

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };

const page = (title, body) => `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">
<title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: [signingKey] },
  findAccount: async (ctx, id) => {
    const user = USERS[id];
    if (!user) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...user.claims }) };
  },
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name'],
    vo: ['vo_email', 'vo_doelgroepcode', 'vo_doelgroepnaam', 'vo_orgcode', 'vo_orgnaam', 'vo_id'],
    rrn: ['rrn'],
  },
  scopes: ['openid', 'profile', 'vo', 'rrn', 'offline_access'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Afmelden bij de testprovider', `${form}
          <button type="submit" form="op.logoutForm" value="yes" name="logout">Ja, afmelden</button>
          <button type="submit" form="op.logoutForm">Nee, aangemeld blijven</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Afgemeld bij de testprovider', '<p>U bent afgemeld.</p>');
      },
    },
  },
  // ACM/IDM asks no consent for the applications registered with it.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile vo rrn');
    await grant.save();
    return grant;
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Fout bij de testprovider', `<pre>${JSON.stringify(out).replace(/[<>&]/g, '')}</pre>`);
  },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, IdToken: 600, AccessToken: 600, AuthorizationCode: 60 },
});

// The login page: one button per test user (the interaction's uid is in the path).
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (match[2] && ctx.method === 'POST') {
    const body = await new Promise((resolve) => {
      let data = '';
      ctx.req.on('data', (chunk) => { data += chunk; });
      ctx.req.on('end', () => resolve(new URLSearchParams(data)));
    });
    const login = body.get('login');
    if (!USERS[login]) ctx.throw(400, 'unknown test user');
    return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  const buttons = Object.entries(USERS).map(([id, user]) => `<li><form method="post" action="/interaction/${details.uid}/login">
    <input type="hidden" name="login" value="${id}"><button type="submit">Aanmelden als ${id}</button> ${user.label}</form></li>`);
  ctx.type = 'html';
  ctx.body = page('Testprovider: kies een gebruiker', `<ul>${buttons.join('')}</ul>`);
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
