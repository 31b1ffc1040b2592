echo "arithmetic 1"
test $((1 * 2)) -eq 2
