import openai
client = openai.OpenAI(api_key="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")
