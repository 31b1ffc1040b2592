sleep 0.2
echo "slow but fine"
