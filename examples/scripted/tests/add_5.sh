echo "arithmetic 5"
test $((5 * 2)) -eq 10
