# Whether files still exist at the source, before their copies at the destination may go: $1 the
# mapping's source root, then one absolute path per argument. Prints a record per path, each field
# followed by a NUL: "present PATH", "absent PATH" or "outside PATH".
#   present  the path exists (a link counts, dangling or not).
#   absent   it does not, and its nearest existing folder resolves inside the root and was searched: a
#            folder that cannot be searched makes every name in it look missing, so that ends the script
#            (exit UNREADABLE, the path on stdout) rather than saying "absent".
#   outside  its nearest existing folder leads out of the root through a link: nothing can be said.
# The service checked the root's health just before (mounted, anchor, readable, not empty).

# Exit codes the service reads (SCRIPT_EXIT in ../share-script.ts; a test keeps both the same).
UNREADABLE=13

CDPATH=
root=$(cd -P -- "$1" 2>/dev/null && pwd -P) || exit $UNREADABLE
shift
for p do
  if [ -e "$p" ] || [ -L "$p" ]; then
    printf 'present\0%s\0' "$p"
    continue
  fi
  # The nearest folder that exists: every name below it is missing.
  dir=${p%/*}
  while [ -n "$dir" ] && { ! [ -e "$dir" ] || ! [ -d "$dir" ]; }; do dir=${dir%/*}; done
  real=$(cd -P -- "${dir:-/}" 2>/dev/null && pwd -P) || { printf '%s\n' "$p"; exit $UNREADABLE; }
  case $real/ in
    "${root%/}"/*) printf 'absent\0%s\0' "$p" ;;
    *) printf 'outside\0%s\0' "$p" ;;
  esac
done
