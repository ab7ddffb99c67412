import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Session, session } from './api';

export interface LoginProps {
  methods: Session['methods'];
  onLoggedIn: () => void;
}

/**
 * The login form shown when authentication is on and this browser has no session: the webhook's
 * username and password, or the API key as the password. The server answers with an HttpOnly,
 * SameSite=Strict cookie that the page's requests and its event stream then carry.
 */
export function Login({ methods, onLoggedIn }: LoginProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const passwordLabel =
    methods.password && methods.api_key ? 'Password or API key' : methods.api_key ? 'API key' : 'Password';
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.login(username, password);
      onLoggedIn();
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? 'Wrong username and password, or API key.'
          : `Login failed: ${failure instanceof Error ? failure.message : String(failure)}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form class="panel" onSubmit={(e) => void submit(e)} aria-labelledby="login-heading">
        <h1 id="login-heading">sync-webhook</h1>
        <p class="muted">Authentication is on. Log in with the webhook's username and password or the API key.</p>
        {methods.password && (
          <label>
            Username
            <input
              ref={first}
              name="username"
              autocomplete="username"
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </label>
        )}
        <label>
          {passwordLabel}
          <input
            ref={methods.password ? undefined : first}
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          Log in
        </button>
      </form>
    </main>
  );
}
