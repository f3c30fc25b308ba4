print("vin")
