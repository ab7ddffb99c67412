# Shared by the image's entrypoint and its `sync-webhook` command: who the service runs as.
# PUID/PGID/UMASK follow the linuxserver.io images that home-lab users already run (Unraid: 99/100).
# Defaults 1000/1000/022 are the user and umask of the images before these variables existed.

# Stops with exit 2 and the variable's name, like a bad setting of the service itself.
refuse_setting() {
  echo "sync-webhook: $1 must be $2, got '$3'" >&2
  exit 2
}

# An id is digits, below 4294967295 (which the kernel reads as "no id"); $3 gives an example.
check_id() {
  case "$2" in
    '' | *[!0-9]*) refuse_setting "$1" "a numeric id ($3)" "$2" ;;
  esac
  if [ "${#2}" -gt 10 ] || [ "$2" -ge 4294967295 ]; then
    refuse_setting "$1" "an id below 4294967295 ($3)" "$2"
  fi
}

# Reads and checks PUID, PGID and UMASK into app_uid, app_gid and app_umask.
read_app_user() {
  app_uid="${PUID:-1000}"
  app_gid="${PGID:-1000}"
  app_umask="${UMASK:-022}"
  check_id PUID "$app_uid" '1000; Unraid: 99'
  check_id PGID "$app_gid" '1000; Unraid: 100'
  case "$app_umask" in
    [0-7][0-7][0-7] | 0[0-7][0-7][0-7]) ;;
    *) refuse_setting UMASK 'three octal digits such as 022 or 002' "$app_umask" ;;
  esac
}

# Runs the command as PUID:PGID with UMASK. As root, setpriv (util-linux) switches the user, drops the
# supplementary groups root had and the inheritable capabilities; without root (docker run --user) there
# is nothing to switch, so the command runs as the user the container was given.
exec_as_app_user() {
  umask "$app_umask"
  if [ "$(id -u)" -eq 0 ]; then
    exec setpriv --reuid="$app_uid" --regid="$app_gid" --clear-groups --inh-caps=-all -- "$@"
  fi
  if [ -n "${PUID:-}${PGID:-}" ] && [ "$(id -u):$(id -g)" != "$app_uid:$app_gid" ]; then
    echo "sync-webhook: PUID/PGID ($app_uid:$app_gid) ignored: the container was started as" \
      "$(id -u):$(id -g) (docker run --user); remove one of the two" >&2
  fi
  exec "$@"
}
