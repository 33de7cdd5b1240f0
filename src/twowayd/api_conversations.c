/* api_conversations — being written. */
