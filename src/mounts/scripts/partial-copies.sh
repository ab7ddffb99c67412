# What a cut copy left at the destination. $1 what to do, $2 the source item, $3 the same item at the
# destination, $4 the partial folder's name (rsync's relative --partial-dir: one beside each file).
#   prepare  before a retried copy: rsync's temp file ".NAME.XXXXXX" that a SIGKILL left beside the
#            destination of a file NAME the source holds moves into the partial folder as NAME (where the
#            next rsync resumes from it); the longer of the two is kept. Prints "kept PATH" or "removed
#            PATH" for each temp file, then "partial BYTES PATH" for each partial file of the source's files.
#   measure  prints "partial BYTES": what the item's partial files hold (no look at the source).
#   remove   after a success or when the job gives up: removes those temp files, the item's partial files
#            and then each partial folder that is empty; prints each path removed.
# Only regular files are moved or removed, never through a symlink, and a folder only by rmdir (empty).
# Quoted parts of a shell pattern match literally, so names with [ ] * ? stay names.

# Exit codes the service reads (SCRIPT_EXIT in ../share-script.ts; a test keeps both the same).
UNREADABLE=13

action=$1 source=$2 item=$3 partial=$4
CDPATH=

is_file() { [ -f "$1" ] && [ ! -L "$1" ]; }
size_of() { stat -c %s -- "$1"; }

# $1 a folder at the destination, $2 the name of a file copied into it.
prepare_file() {
  folder=$1/$partial part=$1/$partial/$2
  for temp in "$1/.$2".??????; do
    is_file "$temp" || continue
    if [ -L "$folder" ] || { [ -e "$folder" ] && [ ! -d "$folder" ]; } || { [ -e "$part" ] && ! is_file "$part"; }; then
      rm -f -- "$temp" && printf 'removed %s\n' "$temp"
    elif is_file "$part" && [ "$(size_of "$part")" -ge "$(size_of "$temp")" ]; then
      rm -f -- "$temp" && printf 'removed %s\n' "$temp"
    elif { [ -d "$folder" ] || mkdir -m 700 -- "$folder"; } && mv -f -- "$temp" "$part"; then
      printf 'kept %s\n' "$part"
    fi
  done
  if [ ! -L "$folder" ] && is_file "$part"; then printf 'partial %s %s\n' "$(size_of "$part")" "$part"; fi
}

# $1 a folder at the destination, $2 the name of a file copied into it.
remove_file() {
  for temp in "$1/.$2".??????; do
    if is_file "$temp"; then rm -f -- "$temp" && printf '%s\n' "$temp"; fi
  done
  if [ ! -L "$1/$partial" ] && is_file "$1/$partial/$2"; then
    rm -f -- "$1/$partial/$2" && printf '%s\n' "$1/$partial/$2"
  fi
  if [ -d "$1/$partial" ] && [ ! -L "$1/$partial" ]; then rmdir -- "$1/$partial" 2>/dev/null; fi
  return 0
}

# Calls "$1 FOLDER NAME" for each file of the source item, FOLDER being where it lands at the destination.
# A folder of the item that a symlink at the destination leads elsewhere is not the item's: left alone.
each_source_file() {
  if [ -d "$source" ]; then
    [ -d "$item" ] && [ ! -L "$item" ] || return 0
    item_real=$(cd -P -- "$item" && pwd -P) || return 0
    (cd -- "$source" || exit $UNREADABLE
      find . -type f -print | while IFS= read -r rel; do
        rel=${rel#./}
        case $rel in */*) folder=$item/${rel%/*} ;; *) folder=$item ;; esac
        real=$(cd -P -- "$folder" 2>/dev/null && pwd -P) || continue
        case $real/ in "$item_real"/*) "$1" "$folder" "${rel##*/}" ;; esac
      done)
  else
    "$1" "${item%/*}" "${item##*/}"
  fi
}

# Partial folders inside a folder item: rsync made them, for files of the item only.
item_partial_folders() {
  if [ -d "$item" ] && [ ! -L "$item" ]; then find "$item" -type d -name "$partial" -prune -print; fi
}

case $action in
  prepare)
    each_source_file prepare_file
    ;;
  measure)
    if [ -d "$item" ] && [ ! -L "$item" ]; then
      total=$(item_partial_folders | while IFS= read -r folder; do
        find "$folder" -mindepth 1 -maxdepth 1 -type f -exec stat -c %s -- {} +
      done | awk '{ sum += $1 } END { print sum + 0 }')
    elif [ ! -L "${item%/*}/$partial" ] && is_file "${item%/*}/$partial/${item##*/}"; then
      total=$(size_of "${item%/*}/$partial/${item##*/}")
    else
      total=0
    fi
    printf 'partial %s\n' "$total"
    ;;
  remove)
    each_source_file remove_file
    code=$?
    item_partial_folders | while IFS= read -r folder; do
      find "$folder" -mindepth 1 -maxdepth 1 -type f -print -exec rm -f -- {} +
      rmdir -- "$folder" 2>/dev/null
    done
    [ "$code" -eq 0 ] || exit $UNREADABLE
    ;;
esac
