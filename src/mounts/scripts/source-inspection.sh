# The item a job copies: $1 item, $2 root it must resolve inside (may be empty), $3 "size" to measure
# it. Prints "file BYTES" or "dir BYTES".
# rsync -a copies a symlink inside a folder as a link: one that leads out of the root would put a
# pointer to the host's files on the destination share, so such a folder is refused too.
# find has no "--", hence the "./" for relative paths. Physical paths come from the shell's own
# "cd -P" and "pwd -P" where it can (a subshell, no program to start): this runs before every rsync.

# Exit codes the service reads (SCRIPT_EXIT in ../share-script.ts; a test keeps both the same).
MISSING=10
NOT_A_DIRECTORY=11
UNREADABLE=13
EMPTY=14
OUTSIDE_ROOT=16
LINK_OUTSIDE_ROOT=18

CDPATH=
case $1 in /*) p=$1 ;; *) p=./$1 ;; esac
if [ -n "$2" ] && [ -e "$p" ]; then
  if [ -d "$p" ]; then
    real=$(cd -P -- "$p" 2>/dev/null && pwd -P) || exit $UNREADABLE
  elif [ -L "$p" ]; then
    real=$(realpath -e -- "$p") || exit $UNREADABLE
  else
    dir=${p%/*}
    real=$(cd -P -- "${dir:-/}" 2>/dev/null && pwd -P) || exit $UNREADABLE
    real=${real%/}/${p##*/}
  fi
  root=$(cd -P -- "$2" 2>/dev/null && pwd -P) || exit $UNREADABLE
  case $real/ in "${root%/}"/*) ;; *) echo "$real"; exit $OUTSIDE_ROOT ;; esac
fi
if [ -f "$p" ]; then
  kind=file
elif [ -d "$p" ]; then
  kind=dir
  first=$(find -H "$p" -mindepth 1 -maxdepth 1 -print -quit) || exit $UNREADABLE
  [ -n "$first" ] || exit $EMPTY
  if [ -n "$2" ]; then
    # Prints the first link that resolves outside the root as "LINK -> TARGET", as ls -l shows it.
    link=$(find -H "$p" -mindepth 1 -type l -exec sh -c '
      for l do
        t=$(realpath -m -- "$l")
        case $t/ in "$0"/*) ;; *) printf "%s -> %s\n" "$l" "$t"; exit 1 ;; esac
      done' "${root%/}" {} +)
    [ -z "$link" ] || { printf '%s\n' "${link%%
*}"; exit $LINK_OUTSIDE_ROOT; }
  fi
elif [ -e "$p" ]; then
  exit $NOT_A_DIRECTORY
else
  exit $MISSING
fi
# Walking a whole tree for its size costs tens of ms: only the stable-size check of manual syncs needs it.
if [ "$3" = size ]; then
  size=$(du -s -D -B1 --apparent-size -- "$p") || exit $UNREADABLE
else
  size=0
fi
echo "$kind ${size%%[!0-9]*}"
