# The root of a mapping side: $1 root, $2 role (source or destination), $3 anchor relative to the root
# (may be empty). Prints the root's physical path, which is what /proc/self/mountinfo lists.
# `find -quit` stops at the first entry: a library folder may hold thousands. Writability is tried for
# real: access(2) says yes to root on a root-squashed share. It is tried only after the service
# answered "write" on stdin, having found the printed path in the mount table: an unmounted share's
# mount point is a folder on the host's disk, never written to.

# Exit codes the service reads (SCRIPT_EXIT in ../share-script.ts; a test keeps both the same).
MISSING=10
NOT_A_DIRECTORY=11
ANCHOR_MISSING=12
UNREADABLE=13
EMPTY=14
NOT_WRITABLE=15
NOT_MOUNTED=17

cd -P -- "$1" 2>/dev/null || {
  [ -d "$1" ] && exit $UNREADABLE
  [ -e "$1" ] && exit $NOT_A_DIRECTORY
  exit $MISSING
}
pwd -P
if [ -n "$3" ] && ! [ -e "$3" ]; then exit $ANCHOR_MISSING; fi
if [ "$2" = source ]; then
  first=$(find . -mindepth 1 -maxdepth 1 -print -quit) || exit $UNREADABLE
  [ -n "$first" ] || exit $EMPTY
else
  IFS= read -r verdict && [ "$verdict" = write ] || exit $NOT_MOUNTED
  probe=$(mktemp -p . .sync-webhook-probe.XXXXXX 2>/dev/null) || exit $NOT_WRITABLE
  rm -f -- "$probe"
fi
