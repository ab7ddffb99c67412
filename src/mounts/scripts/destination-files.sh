# What mirroring does at the destination: $1 the action, $2 the mapping's destination root, $3 the
# partial folder's name, $4 the trash folder's name, then the action's arguments. Every path is absolute.
# Prints records of three fields, each followed by a NUL: "WHAT PATH DETAIL".
#   list DIR DEPTH            "file PATH" for each regular file under DIR ("all" levels, or "1"), "dir PATH"
#                             for each folder below it; the partial and trash folders are skipped.
#   remove DAY FILE...        DAY empty: removes each file; else moves it into ROOT/TRASH/DAY/ at the path
#                             it has below the root. "deleted FILE", "trashed FILE TARGET", "absent FILE",
#                             or "kept FILE WHY".
#   rename FROM TO            renames FROM to TO when FROM is a file and TO does not exist, creating TO's
#                             folders: "renamed FROM TO", "absent FROM" or "kept FROM WHY".
#   prune DIR...              removes each folder that is empty, in the order given: "pruned DIR".
#   clean-trash CUTOFF        removes the trash's day folders of CUTOFF (YYYYMMDD) and before: "removed DIR".
# The rules: only regular files are moved or removed, never a link, never through a link: each file's
# folder must resolve inside the root, and so must each folder of a target. Nothing inside a partial or
# trash folder is touched (but the clean-up of old days). A folder goes only by rmdir, so only empty, and
# never the root itself.

# Exit codes the service reads (SCRIPT_EXIT in ../share-script.ts; a test keeps both the same).
NOT_A_DIRECTORY=11
UNREADABLE=13
NOT_WRITABLE=15
OUTSIDE_ROOT=16
LINK_OUTSIDE_ROOT=18

action=$1 partial=$3 trash=$4
CDPATH=
root=$(cd -P -- "$2" 2>/dev/null && pwd -P) || exit $UNREADABLE
shift 4

record() { printf '%s\0%s\0%s\0' "$1" "$2" "$3"; }

# The physical path of folder $1, when it lies inside the root (or is the root); fails otherwise.
inside_root() {
  real=$(cd -P -- "$1" 2>/dev/null && pwd -P) || return 1
  case $real/ in "${root%/}"/*) printf '%s\n' "$real" ;; *) return 1 ;; esac
}

# Creates folder $1 (and its parents) only below folder $2, never through a link out of it: the nearest
# existing folder must resolve inside $2 before, and $1 itself after. Prints $1's physical path.
make_folder_in() {
  base=$(cd -P -- "$2" 2>/dev/null && pwd -P) || return 1
  near=$1
  while [ -n "$near" ] && ! [ -d "$near" ]; do near=${near%/*}; done
  near=$(cd -P -- "${near:-/}" 2>/dev/null && pwd -P) || return 1
  case $near/ in "${base%/}"/*) ;; *) return 1 ;; esac
  mkdir -p -- "$1" || return 2
  made=$(cd -P -- "$1" 2>/dev/null && pwd -P) || return 1
  case $made/ in "${base%/}"/*) printf '%s\n' "$made" ;; *) return 1 ;; esac
}

# Whether physical path $1 lies inside a partial or trash folder below the root.
in_service_folder() {
  case /${1#"$root"}/ in */"$partial"/* | */"$trash"/*) return 0 ;; esac
  return 1
}

# Why file $1 may not be moved or removed; prints nothing when it may.
refusal() {
  if [ -L "$1" ]; then echo 'a link, not a file'; return; fi
  if ! [ -f "$1" ]; then echo 'not a regular file'; return; fi
  real=$(inside_root "${1%/*}") || { echo "its folder leads out of $root"; return; }
  if in_service_folder "$real/${1##*/}"; then echo "inside the $partial or $trash folder"; fi
}

case $action in
  list)
    dir=$1 depth=$2
    [ -e "$dir" ] || [ -L "$dir" ] || exit 0
    if [ -L "$dir" ] || ! real=$(inside_root "$dir") || [ "$real" = "$root" ]; then
      printf '%s\n' "$dir"
      exit $OUTSIDE_ROOT
    fi
    [ -d "$dir" ] || exit $NOT_A_DIRECTORY
    if [ "$depth" = all ]; then set --; else set -- -maxdepth "$depth"; fi
    find "$dir" -mindepth 1 "$@" \( -name "$partial" -o -name "$trash" \) -prune \
      -o -type f -printf 'file\0%p\0\0' -o -type d -printf 'dir\0%p\0\0' || exit $UNREADABLE
    ;;
  remove)
    day=$1
    shift
    if [ -n "$day" ]; then
      [ -L "$root/$trash" ] && exit $LINK_OUTSIDE_ROOT
      mkdir -p -- "$root/$trash" || exit $NOT_WRITABLE
      [ -L "$root/$trash" ] && exit $LINK_OUTSIDE_ROOT
      day_folder=$root/$trash/$day
    fi
    for f do
      if ! [ -e "$f" ] && ! [ -L "$f" ]; then record absent "$f" ''; continue; fi
      why=$(refusal "$f")
      if [ -n "$why" ]; then record kept "$f" "$why"; continue; fi
      real=$(inside_root "${f%/*}")
      name=${f##*/}
      if [ -z "$day" ]; then
        rm -f -- "$real/$name" || exit $NOT_WRITABLE
        record deleted "$f" ''
        continue
      fi
      rel=${real#"$root"}
      # The day's folder is made inside the trash folder, and the file's folders inside the day's.
      target_real=$(make_folder_in "$day_folder" "$root/$trash" >/dev/null &&
        make_folder_in "$day_folder$rel" "$day_folder")
      case $? in
        0) ;;
        2) exit $NOT_WRITABLE ;;
        *) record kept "$f" "the trash folder leads out of $root/$trash"; continue ;;
      esac
      target=$target_real/$name n=1
      while [ -e "$target" ] || [ -L "$target" ]; do target=$target_real/$name.$n n=$((n + 1)); done
      mv -- "$real/$name" "$target" || exit $NOT_WRITABLE
      record trashed "$f" "$target"
    done
    ;;
  rename)
    from=$1 to=$2
    if ! [ -e "$from" ] && ! [ -L "$from" ]; then record absent "$from" ''; exit 0; fi
    why=$(refusal "$from")
    if [ -n "$why" ]; then record kept "$from" "$why"; exit 0; fi
    from_real=$(inside_root "${from%/*}")/${from##*/}
    if [ -e "$to" ] || [ -L "$to" ]; then record kept "$from" 'the new name already exists'; exit 0; fi
    case /$to/ in
      */"$partial"/* | */"$trash"/*) record kept "$from" 'the new name is in a service folder'; exit 0 ;;
    esac
    to_dir=$(make_folder_in "${to%/*}" "$root")
    case $? in
      0) ;;
      2) exit $NOT_WRITABLE ;;
      *) record kept "$from" "the new folder leads out of $root"; exit 0 ;;
    esac
    if in_service_folder "$to_dir/${to##*/}"; then record kept "$from" 'the new name is in a service folder'; exit 0; fi
    mv -n -T -- "$from_real" "$to_dir/${to##*/}" || exit $NOT_WRITABLE
    if [ -e "$from_real" ] || ! [ -f "$to_dir/${to##*/}" ]; then
      record kept "$from" 'the rename did not happen'
      exit 0
    fi
    record renamed "$from" "$to"
    ;;
  prune)
    for d do
      [ -d "$d" ] && ! [ -L "$d" ] || continue
      real=$(inside_root "$d") || continue
      [ "$real" != "$root" ] || continue
      in_service_folder "$real" && continue
      rmdir -- "$real" 2>/dev/null && record pruned "$d" ''
    done
    ;;
  clean-trash)
    cutoff=$1
    [ -e "$root/$trash" ] || [ -L "$root/$trash" ] || exit 0
    [ -L "$root/$trash" ] && exit $LINK_OUTSIDE_ROOT
    [ -d "$root/$trash" ] || exit $NOT_A_DIRECTORY
    failed=0
    for d in "$root/$trash"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]; do
      [ -d "$d" ] && ! [ -L "$d" ] || continue
      day=$(printf '%s' "${d##*/}" | tr -d -)
      [ "$day" -le "$cutoff" ] || continue
      if rm -rf --one-file-system -- "$d"; then record removed "$d" ''; else failed=1; fi
    done
    rmdir -- "$root/$trash" 2>/dev/null
    [ "$failed" -eq 0 ] || exit $NOT_WRITABLE
    ;;
esac
exit 0
