# The folders of one folder of a mapping's source, for the manual sync's browser: $1 the source root,
# $2 the folder relative to it (empty for the root itself). Prints "NAME" NUL-terminated per folder:
# the real folders, and the links to folders that stay inside the root; names starting with a dot
# are left out. The folder itself, links resolved, must lie inside the root (or be it).

# Exit codes the service reads (SCRIPT_EXIT in ../share-script.ts; a test keeps both the same).
MISSING=10
NOT_A_DIRECTORY=11
UNREADABLE=13
OUTSIDE_ROOT=16

CDPATH=
root=$(cd -P -- "$1" 2>/dev/null && pwd -P) || exit $UNREADABLE
if [ -n "$2" ]; then p=$1/$2; else p=$1; fi
[ -e "$p" ] || [ -L "$p" ] || exit $MISSING
[ -d "$p" ] || exit $NOT_A_DIRECTORY
real=$(cd -P -- "$p" 2>/dev/null && pwd -P) || exit $UNREADABLE
case $real/ in "${root%/}"/*) ;; *) echo "$real"; exit $OUTSIDE_ROOT ;; esac
cd -P -- "$real" && [ -r . ] || exit $UNREADABLE
# At most 5001 of each: the service shows 5000 and says there are more.
find . -mindepth 1 -maxdepth 1 ! -name '.*' -type d -printf '%f\0' | head -z -n 5001
find . -mindepth 1 -maxdepth 1 ! -name '.*' -type l -exec sh -c '
  for l do
    t=$(realpath -e -- "$l" 2>/dev/null) && [ -d "$t" ] || continue
    case $t/ in "$0"/*) printf "%s\0" "${l#./}" ;; esac
  done' "${root%/}" {} + | head -z -n 5001
