echo "about to fail"
echo "expected 4, got 5" >&2
exit 1
