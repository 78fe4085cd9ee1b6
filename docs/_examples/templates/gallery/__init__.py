"""Photo galleries, for any application that requires them."""
