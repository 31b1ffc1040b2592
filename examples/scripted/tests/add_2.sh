echo "arithmetic 2"
test $((2 * 2)) -eq 4
