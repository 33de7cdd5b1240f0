/* api_account — being written. */
