#!/bin/sh
# The image's entrypoint (after tini): gives /data and /logs to PUID:PGID, then runs the command as that
# user with UMASK. Only those two folders are changed: the media shares keep their owners.
set -eu

here="$(dirname "$(readlink -f "$0")")"
. "$here/app-user.sh"

# The image's own folders; the entrypoint test points these at temp folders.
data_dir="${SYNC_ENTRYPOINT_DATA_DIR:-/data}"
logs_dir="${SYNC_ENTRYPOINT_LOGS_DIR:-/logs}"

# Gives one folder, and what is in it on the same filesystem, to the app user. find -xdev does not enter
# another filesystem but still lists the folder it is mounted on, so each path's device is compared with
# the folder's: a share mounted below /data keeps its owner, root folder included. Links are changed, not
# what they point to. A folder that cannot be changed (an NFS export with root_squash) is left as it is,
# with a warning: the service then says what it cannot write.
own_folder() {
  if ! { mkdir -p "$1" && find "$1" -xdev \( ! -uid "$app_uid" -o ! -gid "$app_gid" \) -exec sh -c '
    owner="$1" device="$(stat -c %d "$2")"
    shift 2
    for path in "$@"; do
      if [ "$(stat -c %d "$path")" = "$device" ]; then chown -h "$owner" "$path" || exit 1; fi
    done' own-folder "$app_uid:$app_gid" "$1" {} +; }; then
    echo "sync-webhook: could not give $1 to $app_uid:$app_gid (PUID:PGID); make it writable by that user" \
      "on the host" >&2
  fi
}

read_app_user
if [ "$(id -u)" -eq 0 ]; then
  own_folder "$data_dir"
  own_folder "$logs_dir"
fi
exec_as_app_user "$@"
