# rsync's temp files a killed copy left: $1 the source item, $2 the same item at the destination.
# Removes only ".NAME.??????" beside the destination of a file NAME that the source holds, and prints
# each path it removed. Quoted parts of a shell pattern match literally, so names with [ ] * ? stay names.

# Exit codes the service reads (SCRIPT_EXIT in ../share-script.ts; a test keeps both the same).
UNREADABLE=13

remove() {
  for f in "$1/.$2".??????; do
    if [ -f "$f" ] && [ ! -L "$f" ]; then rm -f -- "$f" && printf '%s\n' "$f"; fi
  done
}
if [ -d "$1" ]; then
  [ -d "$2" ] || exit 0
  cd -- "$1" || exit $UNREADABLE
  find . -type f -print | while IFS= read -r rel; do remove "$2/${rel%/*}" "${rel##*/}"; done
else
  remove "${2%/*}" "${2##*/}"
fi
