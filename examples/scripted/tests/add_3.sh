echo "arithmetic 3"
test $((3 * 2)) -eq 6
