/* api_canned — being written. */
