/* api_contacts — being written. */
