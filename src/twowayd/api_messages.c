/* api_messages — being written. */
