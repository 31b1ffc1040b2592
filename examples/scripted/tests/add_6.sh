echo "arithmetic 6"
test $((6 * 2)) -eq 12
