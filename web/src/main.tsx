import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Session, session } from './api';
import { App } from './app';
import { Login } from './login';
import './styles.css';

/** Asks the service whether this browser must log in first; shows the login form or the dashboard. */
function Root() {
  const [state, setState] = useState<Session | 'unknown' | Error>('unknown');
  const check = () => {
    session.get().then(setState, (error: unknown) => {
      // A service without the login routes has no authentication of its own to ask for.
      if (error instanceof ApiError && error.status === 404) {
        setState({ auth_required: false, authenticated: true, methods: { password: false, api_key: false } });
      } else {
        setState(error instanceof Error ? error : new Error(String(error)));
      }
    });
  };
  useEffect(check, []);
  if (state === 'unknown') return <p class="muted loading">Loading…</p>;
  if (state instanceof Error) {
    return (
      <p class="error" role="alert">
        The service does not answer: {state.message}.{' '}
        <button type="button" onClick={check}>
          Try again
        </button>
      </p>
    );
  }
  if (state.auth_required && !state.authenticated) return <Login methods={state.methods} onLoggedIn={check} />;
  const logout = state.auth_required ? () => void session.logout().finally(check) : undefined;
  return <App onUnauthorized={check} {...(logout ? { onLogout: logout } : {})} />;
}

const root = document.getElementById('app');
if (root) render(<Root />, root);
