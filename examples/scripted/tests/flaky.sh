# Fails on its first attempt in a fresh project, passes afterwards.
mkdir -p .state
if [ -e .state/flaky ]; then echo "second try passes"; exit 0; fi
touch .state/flaky
echo "first try fails"
exit 1
