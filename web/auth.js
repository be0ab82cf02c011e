// Sign-in with the Cognito user pool (issue 12): InitiateAuth USER_PASSWORD_AUTH, refresh with
// REFRESH_TOKEN_AUTH, the ID token sent as `Authorization: Bearer` on POST /chat. Plain JSON calls to the
// Cognito endpoint of config.json (moto locally, cognito-idp.<region>.amazonaws.com in AWS); no SDK.

const KEY = 'campusbot.auth.v1';
const SKEW_SECONDS = 60;

export class AuthError extends Error {}

function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(Array.from(atob(part), (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
    return JSON.parse(json);
  } catch {
    return {};
  }
}

export class Auth {
  constructor(cognito, storage = window.localStorage) {
    this.cognito = cognito;
    this.storage = storage;
    this.listeners = new Set();
  }

  get enabled() { return Boolean(this.cognito && this.cognito.clientId && this.cognito.endpoint); }

  get session() {
    try { return JSON.parse(this.storage.getItem(KEY)) || null; } catch { return null; }
  }

  get email() {
    const session = this.session;
    return session ? (claims(session.idToken).email || session.username) : null;
  }

  onChange(listener) { this.listeners.add(listener); }

  save(session) {
    if (session) this.storage.setItem(KEY, JSON.stringify(session));
    else this.storage.removeItem(KEY);
    for (const listener of this.listeners) listener(this.email);
  }

  async call(target, body) {
    let response;
    try {
      response = await fetch(this.cognito.endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}`,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new AuthError('Cannot reach the sign-in service. Check your connection.');
    }
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) {
      const type = String(payload.__type || '').split('#').pop();
      const messages = {
        NotAuthorizedException: 'Wrong e-mail or password.',
        UserNotFoundException: 'Wrong e-mail or password.',
        UserNotConfirmedException: 'Your account is not confirmed yet.',
        PasswordResetRequiredException: 'You need to reset your password first.',
        TooManyRequestsException: 'Too many attempts; wait a moment and try again.',
      };
      throw new AuthError(messages[type] || payload.message || `Sign-in failed (${response.status}).`);
    }
    return payload;
  }

  async signIn(username, password) {
    const result = await this.call('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: this.cognito.clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });
    if (!result.AuthenticationResult) {
      throw new AuthError(`This account needs another step first (${result.ChallengeName || 'challenge'}).`);
    }
    this.store(result.AuthenticationResult, username);
    return this.email;
  }

  store(tokens, username, refreshToken) {
    const expires = claims(tokens.IdToken).exp || Math.floor(Date.now() / 1000) + (tokens.ExpiresIn || 3600);
    this.save({
      username,
      idToken: tokens.IdToken,
      refreshToken: tokens.RefreshToken || refreshToken,
      expires,
    });
  }

  async refresh() {
    const session = this.session;
    if (!session?.refreshToken) return null;
    try {
      const result = await this.call('InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: this.cognito.clientId,
        AuthParameters: { REFRESH_TOKEN: session.refreshToken },
      });
      this.store(result.AuthenticationResult, session.username, session.refreshToken);
      return this.session.idToken;
    } catch {
      this.save(null);
      return null;
    }
  }

  /** The ID token to send, refreshed when it is about to expire; null when signed out. */
  async idToken({ force = false } = {}) {
    const session = this.session;
    if (!session) return null;
    if (force || session.expires - SKEW_SECONDS <= Date.now() / 1000) return this.refresh();
    return session.idToken;
  }

  signOut() { this.save(null); }
}
