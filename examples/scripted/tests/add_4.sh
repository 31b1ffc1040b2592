echo "arithmetic 4"
test $((4 * 2)) -eq 8
